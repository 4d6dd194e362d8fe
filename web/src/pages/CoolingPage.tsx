/**
 * Cooling: one SVG diagram per plant, heat flowing from the racks' technology loops (TCS) through the CDUs into the
 * facility water loop (FWS), then out through chillers and dry coolers to the outdoor air. Live temperatures, heat and
 * auxiliary power at 1 Hz; a table compares all plants.
 */
import { useEffect, useState } from "react";
import { openLiveState } from "../api/live.ts";
import type { HallState, PlantDetail, PlantState, SiteState } from "../api/types.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { ErrorNotice, Loading, Unavailable } from "../components/status.tsx";
import {
  formatCelsius,
  formatHumidity,
  formatNumber,
  formatPercent,
  formatPowerKW,
  formatTime,
  shortId,
} from "../format.ts";
import { loopUse, rankLoops } from "./loops.ts";

/** Specific heat of water near 30 °C, kJ/(kg·K); PG25 would be about 3.9, the facility loop is water. */
const waterHeatCapacity = 4.18;

/** Facility water flow implied by heat and temperature difference, in L/s (1 kg ≈ 1 L). */
export function impliedFlowLps(heatKW: number, supplyC: number, returnC: number): number {
  const deltaT = returnC - supplyC;
  return deltaT > 0.1 ? heatKW / (waterHeatCapacity * deltaT) : Number.NaN;
}

export function CoolingPage() {
  const { client, capabilities } = useSession();
  const [site, setSite] = useState<SiteState | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (!capabilities.liveState) return;
    return openLiveState(client, capabilities, undefined, { onSite: setSite });
  }, [client, capabilities]);

  const plantId = selected ?? site?.plants[0]?.id;
  const detail = useResource<PlantDetail>(
    plantId === undefined ? undefined : `/v1/state/plants/${encodeURIComponent(plantId)}`,
    { enabled: capabilities.has("GET", "/v1/state/plants/{id}"), refreshMs: 5000 },
  );

  if (!capabilities.liveState) {
    return (
      <section aria-labelledby="cooling-title">
        <h1 id="cooling-title">Cooling</h1>
        <Unavailable feature="The live cooling state" route="GET /v1/state/site" />
      </section>
    );
  }
  const plant = site?.plants.find((candidate) => candidate.id === plantId);
  return (
    <section aria-labelledby="cooling-title">
      <div className="page-head">
        <h1 id="cooling-title">Cooling</h1>
        {site === undefined ? null : (
          <p className="muted">
            Outdoor {formatCelsius(site.weather.dryBulbC)}, RH {formatHumidity(site.weather.relativeHumidity)} · cooling{" "}
            {formatPowerKW(site.kpis.coolingKW)} · {site.mode} · {formatTime(site.time)}
          </p>
        )}
      </div>
      {site === undefined ? (
        <Loading what="the cooling plants" />
      ) : (
        <>
          <fieldset className="plant-picker">
            <legend className="visually-hidden">Plant</legend>
            {site.plants.map((candidate) => (
              <button
                type="button"
                key={candidate.id}
                aria-pressed={candidate.id === plantId}
                onClick={() => setSelected(candidate.id)}
              >
                {shortId(candidate.id)}
              </button>
            ))}
          </fieldset>
          {plant === undefined ? null : (
            <PlantDiagram plant={plant} site={site} detail={detail.status === "ready" ? detail.data : undefined} />
          )}
          {detail.status === "error" ? <ErrorNotice error={detail.error} action="Loading the plant's loops" /> : null}
          {detail.status === "ready" ? <LoopTable detail={detail.data} /> : null}
          <PlantTable plants={site.plants} selected={plantId} onSelect={setSelected} />
          <HallTable halls={site.halls} />
        </>
      )}
    </section>
  );
}

function Box(props: {
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
  lines: readonly string[];
  tone?: "cold" | "hot" | "plain" | "active";
}) {
  return (
    <g className={`diagram-box diagram-${props.tone ?? "plain"}`}>
      <rect x={props.x} y={props.y} width={props.width} height={props.height} rx={6} />
      <text x={props.x + 10} y={props.y + 20} className="diagram-title">
        {props.title}
      </text>
      {props.lines.map((line, index) => (
        <text
          key={line}
          x={props.x + 10}
          y={props.y + 40 + index * 17}
          className={`diagram-line${line.startsWith("supply ") ? " diagram-label-supply" : line.startsWith("return ") ? " diagram-label-return" : ""}`}
        >
          {line}
        </text>
      ))}
    </g>
  );
}

function PlantDiagram(props: { plant: PlantState; site: SiteState; detail: PlantDetail | undefined }) {
  const { plant, site, detail } = props;
  const flow = impliedFlowLps(plant.heatKW, plant.fwsSupplyC, plant.fwsReturnC);
  const loops = detail?.tcs ?? [];
  const tightest = rankLoops(loops, 1)[0]?.loops[0];
  let hottestSupply = Number.NaN;
  let loopHeat = 0;
  for (const loop of loops) {
    if (!(loop.supplyC <= hottestSupply)) hottestSupply = loop.supplyC;
    loopHeat += loop.heatKW;
  }
  const title = `Cooling plant ${shortId(plant.id)}`;
  const summary =
    `${title}: ${formatPowerKW(plant.heatKW)} of heat; facility water supply ${formatCelsius(plant.fwsSupplyC)}, ` +
    `return ${formatCelsius(plant.fwsReturnC)}; ${plant.chillersRunning} chillers running; adiabatic ${plant.adiabaticOn ? "on" : "off"}.`;
  return (
    <figure className="panel diagram">
      <figcaption>{title}</figcaption>
      <svg viewBox="0 0 960 300" role="img" aria-label={summary} className="diagram-svg">
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerUnits="userSpaceOnUse"
            markerWidth="11"
            markerHeight="11"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" className="diagram-arrow" />
          </marker>
        </defs>
        {/* Heat flows left to right: racks → CDUs → facility water → chillers and dry coolers → outdoor air. */}
        <line x1={210} y1={150} x2={278} y2={150} className="pipe pipe-heat" markerEnd="url(#arrow)" />
        <path d="M480,100 H520 V70 H558" className="pipe pipe-return" markerEnd="url(#arrow)" />
        <path d="M520,100 V205 H558" className="pipe pipe-return" markerEnd="url(#arrow)" />
        <path d="M560,262 H500 V205 H482" className="pipe pipe-supply" markerEnd="url(#arrow)" />
        <line x1={760} y1={70} x2={818} y2={135} className="pipe pipe-heat" markerEnd="url(#arrow)" />
        <line x1={760} y1={230} x2={818} y2={185} className="pipe pipe-heat" markerEnd="url(#arrow)" />
        <Box
          x={10}
          y={70}
          width={200}
          height={160}
          title="Racks · TCS loops"
          tone="hot"
          lines={[
            loops.length === 0 ? "loops: –" : `${formatNumber(loops.length)} loops, ${formatPowerKW(loopHeat)}`,
            tightest === undefined ? "" : `most loaded ${formatPercent(loopUse(tightest))} of capacity`,
            tightest === undefined ? "" : `  at ${shortId(tightest.id)}`,
            Number.isNaN(hottestSupply) ? "" : `hottest supply ${formatCelsius(hottestSupply)}`,
          ].filter((line) => line !== "")}
        />
        <Box
          x={280}
          y={70}
          width={200}
          height={160}
          title="CDUs → facility water"
          lines={[
            `heat ${formatPowerKW(plant.heatKW)}`,
            `supply ${formatCelsius(plant.fwsSupplyC)}`,
            `return ${formatCelsius(plant.fwsReturnC)}`,
            `flow ≈ ${formatNumber(flow, 0)} L/s`,
            `pumps ${formatPowerKW(plant.pumpKW)}`,
          ]}
        />
        <Box
          x={560}
          y={15}
          width={200}
          height={105}
          title="Trim chillers"
          tone={plant.chillersRunning > 0 ? "active" : "plain"}
          lines={[`${plant.chillersRunning} running`, `heat taken ${formatPowerKW(plant.chillerKW)}`]}
        />
        <Box
          x={560}
          y={165}
          width={200}
          height={120}
          title="Dry coolers"
          lines={[
            `heat out ${formatPowerKW(plant.dryCoolerKW)}`,
            `fans ${formatPowerKW(plant.fanKW)}`,
            `adiabatic ${plant.adiabaticOn ? "on" : "off"}`,
          ]}
        />
        <Box
          x={820}
          y={105}
          width={130}
          height={95}
          title="Outdoor air"
          tone="cold"
          lines={[
            `${formatCelsius(site.weather.dryBulbC)} dry bulb`,
            `RH ${formatHumidity(site.weather.relativeHumidity)}`,
          ]}
        />
      </svg>
    </figure>
  );
}

function LoopTable(props: { detail: PlantDetail }) {
  const ranked = rankLoops(props.detail.tcs, 8);
  return (
    <section className="panel" aria-labelledby="loops-title">
      <h2 id="loops-title">Most loaded technology loops of {shortId(props.detail.id)}</h2>
      <p className="muted">
        Ranked by the share of each loop's CDU capacity in use; loops at the same share share a line.
      </p>
      <table className="data loops">
        <thead>
          <tr>
            <th scope="col">Loop</th>
            <th scope="col">In use</th>
            <th scope="col">Spare</th>
            <th scope="col">Heat</th>
            <th scope="col">Supply</th>
          </tr>
        </thead>
        <tbody>
          {ranked.map(({ use, loops }) => {
            const first = loops[0]!;
            return (
              <tr key={first.id} data-loops={loops.length}>
                <th scope="row">
                  {shortId(first.id)}
                  {loops.length > 1 ? <span className="muted"> and {formatNumber(loops.length - 1)} more</span> : null}
                </th>
                <td className="number">{Number.isFinite(use) ? formatPercent(use) : "no capacity"}</td>
                <td className="number">
                  {formatPowerKW(first.headroomKW)}
                  {loops.length > 1 ? " each" : ""}
                </td>
                <td className="number">{formatPowerKW(first.heatKW)}</td>
                <td className="number">{formatCelsius(first.supplyC)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** A data table's header row, one column head per name. */
function ColumnHeads(props: { names: readonly string[] }) {
  return (
    <thead>
      <tr>
        {props.names.map((name) => (
          <th scope="col" key={name}>
            {name}
          </th>
        ))}
      </tr>
    </thead>
  );
}

function PlantTable(props: {
  plants: readonly PlantState[];
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  return (
    <section className="panel" aria-labelledby="plants-title">
      <h2 id="plants-title">All plants</h2>
      <table className="data">
        <ColumnHeads
          names={[
            "Plant",
            "FWS supply",
            "Set-point",
            "FWS return",
            "Heat",
            "Dry coolers",
            "Chillers",
            "Fans",
            "Pumps",
            "Adiabatic",
          ]}
        />
        <tbody>
          {props.plants.map((plant) => (
            <tr key={plant.id} className={plant.id === props.selected ? "selected" : undefined}>
              <th scope="row">
                <button type="button" className="link" onClick={() => props.onSelect(plant.id)}>
                  {shortId(plant.id)}
                </button>
              </th>
              <td className="number">{formatCelsius(plant.fwsSupplyC)}</td>
              <td className="number">{formatCelsius(plant.fwsSupplySetpointC)}</td>
              <td className="number">{formatCelsius(plant.fwsReturnC)}</td>
              <td className="number">{formatPowerKW(plant.heatKW)}</td>
              <td className="number">{formatPowerKW(plant.dryCoolerKW)}</td>
              <td className="number">
                {plant.chillersRunning} · {formatPowerKW(plant.chillerKW)}
              </td>
              <td className="number">{formatPowerKW(plant.fanKW)}</td>
              <td className="number">{formatPowerKW(plant.pumpKW)}</td>
              <td>{plant.adiabaticOn ? "on" : "off"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * Each hall's air, racks' mass and slab and walls: all three at the air handlers' hold in normal operation; after a
 * loss of air handlers the air leads, the racks trail it by minutes and the slab and walls by hours to days.
 */
function HallTable(props: { halls: readonly HallState[] }) {
  return (
    <section className="panel" aria-labelledby="halls-title">
      <h2 id="halls-title">Hall air</h2>
      <table className="data">
        <ColumnHeads
          names={["Hall", "Air at the racks", "Racks' mass", "Slab and walls", "Rear doors, extra", "Envelope loss"]}
        />
        <tbody>
          {props.halls.map((hall) => (
            <tr key={hall.id}>
              <th scope="row">{shortId(hall.id)}</th>
              <td className="number">{formatCelsius(hall.airC)}</td>
              <td className="number">{formatCelsius(hall.rackMassC)}</td>
              <td className="number">{formatCelsius(hall.slabAndWallsC)}</td>
              <td className="number">{formatPowerKW(hall.rearDoorExtraKW)}</td>
              <td className="number">{formatPowerKW(hall.envelopeLossKW)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
