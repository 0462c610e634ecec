// What a walk over pages may know of the request layer, and the only module of it the walk imports (lint
// enforces it): whether an instance is attached, what was done for a page request, and when a page rests in a
// retry's backoff. Pagination works on any axios instance; these let it do better on an attached one.
export { isAttached } from './attached.js';
export { steadyInfo as pageInfo } from './history.js';
export { onRest } from './resting.js';
