// What validateResponse judges: the response as the caller will see it, parsed once.
import axios, { type AxiosResponse } from 'axios';

/**
 * The response as the caller will see it — the request's `transformResponse` applied (axios parses JSON there,
 * after the adapter) — for validateResponse to judge. Undefined when the transform throws (a body that does
 * not parse). The real response is left as it is: axios transforms it once, later (see `keepParsed`).
 */
export function transformed(response: AxiosResponse): AxiosResponse | undefined {
  const { config } = response;
  const steps = config.transformResponse;
  const list = (Array.isArray(steps) ? steps : steps ? [steps] : []) as ((
    this: unknown,
    data: unknown,
    headers: unknown,
    status: number,
  ) => unknown)[];
  try {
    const data = list.reduce((d, step) => step.call(config, d, response.headers, response.status), response.data as unknown);
    return { ...response, data };
  } catch {
    return undefined;
  }
}

// axios' own response transforms: they parse a JSON string and pass anything already parsed through.
const DEFAULT_TRANSFORMS = new Set<unknown>([axios.defaults.transformResponse].flat());

/**
 * Hands the validated, already parsed body on when every transform of the request is one of axios' defaults:
 * axios then passes it through instead of parsing the same body a second time (every page of a walk is
 * validated). Custom transforms may not be idempotent, so their responses keep the raw body.
 */
export function keepParsed(response: AxiosResponse, view: AxiosResponse): AxiosResponse {
  const steps = [response.config.transformResponse].flat();
  if (steps.every((step) => step === undefined || DEFAULT_TRANSFORMS.has(step))) response.data = view.data;
  return response;
}
