/**
 * Sizes of the tabulated curves the layout builds and the kernel reads. Kept apart from `layout.ts` so that the
 * kernel, and with it every twin worker thread, does not load the site schema (TypeBox) that the layout needs: that
 * import alone took about a second of each worker's start.
 */

/** Points of the tabulated UPS efficiency curve: load fraction 0 … 1.2 by 0.01. */
export const upsTablePoints = 121;
/** Points of the tabulated chiller COP curve: lift 0 … 60 K by 1 K. */
export const copTablePoints = 61;
