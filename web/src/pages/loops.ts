/** Ranking cooling loops by how much of their capacity is in use (not by absolute kW). */

/** Share of a loop's capacity in use (heat over capacity; older servers: capacity taken as heat plus headroom). */
export function loopUse(loop: { heatKW: number; capacityKW?: number; headroomKW: number }): number {
  const capacity = loop.capacityKW ?? loop.heatKW + loop.headroomKW;
  return capacity > 0 ? loop.heatKW / capacity : Number.POSITIVE_INFINITY;
}

/** Loops ranked by the share of their capacity in use, loops at the same whole percent collapsed into one line. */
export function rankLoops<T extends { id: string; heatKW: number; capacityKW?: number; headroomKW: number }>(
  loops: readonly T[],
  lines: number,
): { use: number; loops: T[] }[] {
  const groups = new Map<number, T[]>();
  for (const loop of loops) {
    const use = loopUse(loop);
    const key = Number.isFinite(use) ? Math.round(use * 100) : Number.POSITIVE_INFINITY;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [loop]);
    else group.push(loop);
  }
  return [...groups.entries()]
    .sort((a, b) => b[0] - a[0])
    .slice(0, lines)
    .map(([use, members]) => ({ use: use / 100, loops: members }));
}
