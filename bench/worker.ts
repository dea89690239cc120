// A bench worker process: runs the cases the parent sends, one at a time, and reports each.
import { runCase } from './run-case.js';
import { scenarioByName } from './scenarios/index.js';
import { measureSpeed } from './speed.js';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'stop') process.exit(0);
  const work =
    message.type === 'speed'
      ? measureSpeed(message.seed).then((speed): WorkerMessage => ({ type: 'speed', speed }))
      : runCase(scenarioByName(message.scenario), message.approach, {
          seed: message.seed,
          holdBack: message.holdBack,
        }).then((result): WorkerMessage => ({
          type: 'result',
          scenario: message.scenario,
          holdBack: message.holdBack,
          result,
        }));
  work.then(send, (error: unknown) => {
    send({ type: 'crash', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
});
send({ type: 'ready' });
