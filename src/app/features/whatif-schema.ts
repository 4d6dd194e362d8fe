/**
 * The body of `POST /v1/whatif` (one TypeBox source; the twin's `WhatIfRequest` is the same shape, checked below).
 * Bounds here stop oversized input before the worker starts; the twin checks every id against the site.
 */
import { type Static, Type } from "typebox";
import { facilityWaterClasses, OperatorResponseSchema } from "../../model/schema.ts";
import { StringEnum } from "../../server/schemas.ts";
import {
  maximumAddedRows,
  maximumFailedUnits,
  maximumRackRatings,
  maximumWhatIfDays,
  type WhatIfRequest,
  whatIfScenarios,
} from "../../twin/whatif.ts";

const dayOfYear = Type.Integer({ minimum: 1, maximum: 365 });

/** A what-if: a shipped scenario, parameters, or both. */
export const whatIfBody = Type.Object(
  {
    scenario: Type.Optional(StringEnum(whatIfScenarios)),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: maximumWhatIfDays })),
    startDay: Type.Optional(dayOfYear),
    heatWave: Type.Optional(
      Type.Object(
        {
          peakC: Type.Number({ minimum: 20, maximum: 55 }),
          days: Type.Integer({ minimum: 1, maximum: 30 }),
          nightMinimumC: Type.Number({ minimum: 0, maximum: 55 }),
          startDay: Type.Optional(dayOfYear),
        },
        { additionalProperties: false },
      ),
    ),
    heatWaveInBaseline: Type.Optional(Type.Boolean()),
    fail: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: maximumFailedUnits })),
    waterClass: Type.Optional(StringEnum(facilityWaterClasses)),
    rackRatings: Type.Optional(
      Type.Array(
        Type.Object(
          {
            rackType: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            maxCoolantSupplyC: Type.Number({ minimum: 5, maximum: 80 }),
          },
          { additionalProperties: false },
        ),
        { maxItems: maximumRackRatings },
      ),
    ),
    moreRacks: Type.Optional(
      Type.Object(
        {
          hall: Type.String({ minLength: 1, maxLength: 100 }),
          pattern: Type.String({ minLength: 1, maxLength: 100 }),
          rows: Type.Integer({ minimum: 1, maximum: maximumAddedRows }),
          startDay: Type.Optional(dayOfYear),
        },
        { additionalProperties: false },
      ),
    ),
    operatorResponseS: Type.Optional(OperatorResponseSchema),
  },
  { additionalProperties: false },
);

/** The body as the route receives it. */
export type WhatIfBody = Static<typeof whatIfBody>;

// The schema and the twin's request stay the same shape: a change to one that the other lacks does not compile.
const sameShape: WhatIfRequest = {} as WhatIfBody;
void sameShape;
