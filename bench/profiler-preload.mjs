// Preloaded with `node --import` (NODE_OPTIONS refuses --cpu-prof): the V8 CPU profiler in
// this process. Two modes:
// - default: profiles from start and writes `<SYNOD_PROFILE_DIR>/<pid>.cpuprofile` at exit;
// - SYNOD_PROFILE_SIGNAL=1: each SIGUSR2 starts or stops the profiler, and each stop writes
//   `<SYNOD_PROFILE_DIR>/<pid>-<n>.cpuprofile` (n = 1, 2, ...), so a tool can profile exactly a
//   window (an idle stretch, a loaded phase). `<pid>.ready` says the handler is installed
//   (without it SIGUSR2 would end the process).
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
  if (process.env.SYNOD_PROFILE_SIGNAL === '1') {
    let running = false;
    let windows = 0;
    process.on('SIGUSR2', () => {
      if (!running) {
        session.post('Profiler.start');
        running = true;
        return;
      }
      running = false;
      windows++;
      session.post('Profiler.stop', (error, result) => {
        if (error === null) writeFileSync(join(dir, `${process.pid}-${windows}.cpuprofile`), JSON.stringify(result.profile));
      });
    });
    writeFileSync(join(dir, `${process.pid}.ready`), '');
  } else {
    session.post('Profiler.start');
    process.once('exit', () => {
      session.post('Profiler.stop', (error, result) => {
        if (error === null) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      });
    });
  }
}
