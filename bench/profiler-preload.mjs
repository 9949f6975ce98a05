// Preloaded with `node --import` (NODE_OPTIONS refuses --cpu-prof): starts the V8 CPU profiler
// in this process and writes `<SYNOD_PROFILE_DIR>/<pid>.cpuprofile` when the process exits.
// The in-process inspector session answers synchronously, so this works in an 'exit' handler.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Sampling interval of the profiler, in microseconds (V8's default is 1000). */
const SAMPLING_INTERVAL_US = 500;
const dir = process.env.SYNOD_PROFILE_DIR;
if (dir !== undefined && dir !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error === null) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
