// The simulated API lives in the package (axios-steady/sim-api: the demo and the CLI use it); tests import it from here.
export * from '../../src/sim-api/index.js';
