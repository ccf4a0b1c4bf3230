/**
 * V8 settings for a process that serves the Web Connector.
 *
 * A Web Connector session calls most functions of the SOAP path once or twice per
 * request. With V8's default budget (67,584 bytes of bytecode run before a function is
 * considered for optimization) many of them are still interpreted after the first thousand
 * calls, and are compiled, on V8's helper threads, well into the next session. A
 * sixteenth of that budget has them optimized within the first few hundred calls.
 * Measured here (README, Benchmarks): the first 5,000-request session after a 500-request
 * one spends 10–11 µs per call compiling instead of 25–27, and ~10% less CPU in all.
 */
import v8 from 'node:v8';

/** Flags for V8, set at run time by startCompanion. */
const SERVING_V8_FLAGS = ['--interrupt-budget=4096'];

/** Applies SERVING_V8_FLAGS to this process; they affect functions from their next optimization check on. */
export function tuneV8ForServing(): void {
  for (const flag of SERVING_V8_FLAGS) v8.setFlagsFromString(flag);
}
