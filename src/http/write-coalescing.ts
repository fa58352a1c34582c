/**
 * Answers held to the end of the event loop's turn, so that the turn's responses go out back to
 * back. Each response write wakes the client's reader; spread over a turn (an inline model run
 * between each), every one of them wakes a client that has gone back to sleep, and on a VM a
 * wake-up costs the writer several microseconds in `writev`. Written together, the first wakes
 * the client and the rest find it awake.
 *
 * Measured (2 cores, 64 connections, 3 alternating runs each, `bench/PROFILE.md`): uncached OIP
 * 17.4k -> 23.1k req/s, server CPU 59 -> 44 µs a request, and the load generator's 25 -> 16 µs.
 * Cache hits, answered one socket after another with no model run between, gain little (+4 % in
 * one set of runs, nothing in another). A lone request gains nothing and would pay for an extra
 * loop turn, so callers hold an answer only while other requests are in hand.
 */
let turn: Promise<void> | undefined;

/** Resolves in the check phase of this turn (or the next, if called from it). One promise a turn. */
export function endOfTurn(): Promise<void> {
  return (turn ??= new Promise<void>((resolve) => {
    setImmediate(() => {
      turn = undefined;
      resolve();
    });
  }));
}
