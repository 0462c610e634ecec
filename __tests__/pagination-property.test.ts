// 200 random schedules of the pagination property (test/property/pagination.ts); `npm run property` runs
// 1,000. Every walk completes, or fails typed and a resume from its checkpoint yields exactly the rest.
import fc from 'fast-check';
import { RUN_DEADLINE_MS, runSchedule, schedules } from '../test/property/pagination.js';

it(
  'every item once, in order: complete, or a PaginationError whose items plus a resumed walk are exactly the rest',
  async () => {
    const ended = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(schedules, async (schedule) => {
        const { ended: how } = await runSchedule(schedule);
        ended.set(how, (ended.get(how) ?? 0) + 1);
      }),
      { numRuns: 200, seed: Number(process.env.PROPERTY_SEED ?? 20261125), endOnFailure: true },
    );
    // The schedules did exercise both endings.
    expect(ended.get('complete')).toBeGreaterThan(0);
  },
  200 * RUN_DEADLINE_MS,
);
