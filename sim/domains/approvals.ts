// The second domain's producers: voters casting and retracting votes at once, a re-sent vote, a
// quorum change, an approver deciding (sometimes twice), and the odd malformed event. It runs on
// the same writer core and the same invariants as this app's issues.
import path from 'node:path';
import type { SeededRandom } from '../../local-runtime/kernel/random.js';
import {
  approvalsWriter,
  type ApprovalCommand,
  type ApprovalState,
} from '../../test/fixtures/approvals-app/src/approvals.js';
import type { SimDomain } from '../domain.js';
import { expectedApprovalState } from '../models/approval-model.js';
import { malformedEvent, send, type Ledger } from '../ledger.js';

const VOTERS = ['ana', 'ben', 'chen', 'dara', 'eli', 'fay'];

function vote(random: SeededRandom): ApprovalCommand {
  const voter = random.pick(VOTERS);
  return random.chance(0.8)
    ? { type: 'vote.cast', payload: { voter, choice: random.chance(0.7) ? 'approve' : 'reject' } }
    : { type: 'vote.retract', payload: { voter } };
}

/** Several people voting on one request at once, each from their own device. */
async function votingBurst(ledger: Ledger, random: SeededRandom, requestId: string): Promise<void> {
  const commands = Array.from({ length: random.int(2, 10) }, () =>
    approvalsWriter.command(requestId, vote(random), { source: 'voter' }),
  );
  await Promise.all(commands.map((c) => send(approvalsWriter, ledger, random, [c])));
  // A phone on a bad network sends its vote again: the same command id arrives twice.
  if (random.chance(0.3)) await send(approvalsWriter, ledger, random, [random.pick(commands)]);
}

/** An automation setting the quorum and an approver closing the request, in one batch or apart. */
async function decide(ledger: Ledger, random: SeededRandom, requestId: string): Promise<void> {
  const commands = [
    approvalsWriter.command(
      requestId,
      { type: 'request.quorum', payload: { quorum: random.int(1, 4) } },
      { source: 'automation' },
    ),
    approvalsWriter.command(
      requestId,
      { type: 'request.decide', payload: { by: random.pick(VOTERS) } },
      { source: 'approver' },
    ),
  ];
  if (random.chance(0.5)) await send(approvalsWriter, ledger, random, commands);
  else for (const c of commands) await send(approvalsWriter, ledger, random, [c]);
}

export const approvalsDomain: SimDomain = {
  name: 'approvals',
  appDir: path.resolve(__dirname, '../../test/fixtures/approvals-app'),
  writer: approvalsWriter,
  independentModel: (before, applied) => expectedApprovalState(before as ApprovalState | undefined, applied),
  partitions: (random) => Array.from({ length: random.int(1, 3) }, (_, i) => `REQ-${i + 1}`),
  action(random, requestIds, ledger) {
    const roll = random.next();
    const requestId = random.pick(requestIds);
    if (roll < 0.7) return () => votingBurst(ledger, random, requestId);
    if (roll < 0.95) return () => decide(ledger, random, requestId);
    return () => malformedEvent(approvalsWriter, ledger, random);
  },
};
