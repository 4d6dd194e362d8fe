/** The worst racks of a field: a partial selection over a typed array, no sort of all 40,000 values. */

/** Indexes of the `count` highest values (lowest when `lowIsWorst`), worst first; NaN is skipped. */
export function rankWorst(values: ArrayLike<number>, count: number, lowIsWorst: boolean): number[] {
  const sign = lowIsWorst ? -1 : 1;
  const chosen: number[] = [];
  if (count <= 0) return chosen;
  for (let rack = 0; rack < values.length; rack++) {
    const score = sign * values[rack]!;
    if (Number.isNaN(score)) continue;
    let position: number;
    if (chosen.length < count) {
      chosen.push(rack);
      position = chosen.length - 1;
    } else if (score > sign * values[chosen[count - 1]!]!) {
      chosen[count - 1] = rack;
      position = count - 1;
    } else continue;
    while (position > 0 && score > sign * values[chosen[position - 1]!]!) {
      chosen[position] = chosen[position - 1]!;
      chosen[position - 1] = rack;
      position--;
    }
  }
  return chosen;
}
