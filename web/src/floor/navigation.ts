/**
 * Pointer and keyboard navigation of the floor canvas: hover shows a rack's values, a click (or Enter on the
 * keyboard's cell) opens its rack view, drag or Shift+arrow keys pan, +/- zoom, 0 fits, arrow keys move cell to cell.
 * Kept apart from the page so that the page only lays out what the hook and the renderer give it.
 */
import { type KeyboardEvent, type PointerEvent, type RefObject, useRef, useState } from "react";
import { navigate } from "../app/router.ts";
import type { FloorController } from "./controller.ts";
import { neighbourRack } from "./geometry.ts";
import type { FloorModel } from "./model.ts";

/** The rack under the pointer (or the keyboard's cell) and where to show its tooltip, in canvas pixels. */
export interface FloorHover {
  readonly rack: number;
  readonly x: number;
  readonly y: number;
}

/** What the floor canvas needs from its navigation: the hover, the keyboard's announcement and the handlers. */
export interface FloorNavigation {
  readonly hover: FloorHover | undefined;
  /** Hides the tooltip (a zoom or pan moves the cell away from under the pointer). */
  readonly clearHover: () => void;
  /** What a screen reader hears when the keyboard's cell moves ("h1-r01-01. Enter opens the rack."). */
  readonly announced: string;
  readonly handlers: {
    readonly onPointerDown: (event: PointerEvent<HTMLCanvasElement>) => void;
    readonly onPointerMove: (event: PointerEvent<HTMLCanvasElement>) => void;
    readonly onPointerUp: (event: PointerEvent<HTMLCanvasElement>) => void;
    readonly onPointerLeave: () => void;
    readonly onKeyDown: (event: KeyboardEvent<HTMLCanvasElement>) => void;
  };
}

/** Pixels a press may move and still be a click rather than the start of a drag. */
const clickSlopPx = 4;
/** Margin kept between the keyboard's cell and the canvas edge (the view pans to keep it). */
const keyboardMarginPx = 24;
/** Shift+arrow pan step. */
const panStepPx = 200;
const arrows: Readonly<Record<string, readonly [number, number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/** Opens a rack's view. */
function openRack(model: FloorModel, rack: number): void {
  navigate(`/racks/${encodeURIComponent(model.rackIds[rack]!)}`);
}

/** The pan that brings a cell centred at `centre` back within the margin of a canvas of the given size. */
function panIntoView(centre: number, size: number): number {
  if (centre < keyboardMarginPx) return keyboardMarginPx - centre;
  if (centre > size - keyboardMarginPx) return size - keyboardMarginPx - centre;
  return 0;
}

/** The floor canvas's pointer and keyboard navigation over the controller's renderer. */
export function useFloorNavigation(
  controllerRef: RefObject<FloorController | undefined>,
  canvasRef: RefObject<HTMLCanvasElement | null>,
  model: FloorModel | undefined,
): FloorNavigation {
  const [hover, setHover] = useState<FloorHover | undefined>(undefined);
  const [announced, setAnnounced] = useState("");
  // The keyboard's cell (-1 before the first arrow key): arrows move it cell to cell, Enter opens its rack.
  const keyboardRack = useRef(-1);
  const pointer = useRef({ x: 0, y: 0, moved: false, down: false });

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    pointer.current = { x: event.clientX, y: event.clientY, moved: false, down: true };
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const controller = controllerRef.current;
    if (controller === undefined) return;
    const state = pointer.current;
    if (state.down) {
      const dx = event.clientX - state.x;
      const dy = event.clientY - state.y;
      if (state.moved || Math.abs(dx) + Math.abs(dy) > clickSlopPx) {
        state.moved = true;
        controller.renderer.panBy(dx, dy);
        state.x = event.clientX;
        state.y = event.clientY;
        setHover(undefined);
        return;
      }
    }
    const box = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const rack = controller.renderer.rackAt(x, y);
    controller.renderer.setHovered(rack);
    setHover(rack < 0 ? undefined : { rack, x, y });
  };
  const onPointerUp = (event: PointerEvent<HTMLCanvasElement>) => {
    const state = pointer.current;
    state.down = false;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    if (state.moved) return;
    const box = event.currentTarget.getBoundingClientRect();
    const rack = controllerRef.current?.renderer.rackAt(event.clientX - box.left, event.clientY - box.top) ?? -1;
    if (rack >= 0 && model !== undefined) openRack(model, rack);
  };
  const onPointerLeave = () => {
    controllerRef.current?.renderer.setHovered(-1);
    setHover(undefined);
  };

  /** Moves the keyboard's cell, keeps it in view and shows its tooltip as a hover would. */
  const moveTo = (rack: number) => {
    const renderer = controllerRef.current?.renderer;
    const canvas = canvasRef.current;
    if (renderer === undefined || canvas === null || model === undefined) return;
    keyboardRack.current = rack;
    let centre = renderer.cellCentre(rack);
    if (centre === undefined) return;
    const panX = panIntoView(centre.x, canvas.clientWidth);
    const panY = panIntoView(centre.y, canvas.clientHeight);
    if (panX !== 0 || panY !== 0) {
      renderer.panBy(panX, panY);
      centre = renderer.cellCentre(rack) ?? centre;
    }
    renderer.setHovered(rack);
    setHover({ rack, x: centre.x, y: centre.y });
    setAnnounced(`${model.rackIds[rack]}. Enter opens the rack.`);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLCanvasElement>) => {
    const renderer = controllerRef.current?.renderer;
    if (renderer === undefined) return;
    const arrow = arrows[event.key];
    if (arrow !== undefined && !event.shiftKey) {
      // Cell to cell; the first arrow starts at the hovered cell, or the first rack.
      const from = keyboardRack.current >= 0 ? keyboardRack.current : (hover?.rack ?? -1);
      moveTo(from < 0 ? 0 : neighbourRack(renderer.geometry, from, arrow[0], arrow[1]));
      event.preventDefault();
      return;
    }
    if (arrow !== undefined) {
      // Shift+arrow pans the view the other way, as dragging the floor would.
      renderer.panBy(-arrow[0] * panStepPx, -arrow[1] * panStepPx);
      event.preventDefault();
      return;
    }
    switch (event.key) {
      case "Enter":
        if (keyboardRack.current < 0 || model === undefined) return;
        openRack(model, keyboardRack.current);
        break;
      case "+":
      case "=":
        renderer.zoomCentre(1.25);
        break;
      case "-":
      case "_":
        renderer.zoomCentre(0.8);
        break;
      case "0":
        renderer.fit();
        break;
      case "Escape":
        keyboardRack.current = -1;
        renderer.setHovered(-1);
        setHover(undefined);
        setAnnounced("");
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  return {
    hover,
    clearHover: () => setHover(undefined),
    announced,
    handlers: { onPointerDown, onPointerMove, onPointerUp, onPointerLeave, onKeyDown },
  };
}
