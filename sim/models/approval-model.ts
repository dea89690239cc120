// A second model of an approval request, written without its reducer: each voter's ballot is the
// applied vote with the greatest (time, command id); the quorum is the last one applied; a
// decision, once applied, is the last applied command and counts the ballots as they ended.
// docs/simulation.md, "The independent model".
import type { ApprovalCommand, ApprovalState } from '../../test/fixtures/approvals-app/src/approvals.js';
import type { AppliedCommand } from './issue-model.js';

type Ballot = ApprovalState['ballots'][string];

export function expectedApprovalState(
  before: ApprovalState | undefined,
  applied: AppliedCommand[],
): ApprovalState {
  const ballots: Record<string, Ballot> = { ...before?.ballots };
  let quorum = before?.quorum ?? 2;
  let decidedBy: string | undefined;
  for (const { envelope } of [...applied].sort((a, b) => a.version - b.version)) {
    const cmd = envelope as unknown as ApprovalCommand;
    const stamp = { at: envelope.issuedAt, id: envelope.commandId };
    if (cmd.type === 'vote.cast' || cmd.type === 'vote.retract') {
      const current = ballots[cmd.payload.voter];
      const newer = !current || stamp.at > current.at || (stamp.at === current.at && stamp.id > current.id);
      if (newer)
        ballots[cmd.payload.voter] = {
          choice: cmd.type === 'vote.cast' ? cmd.payload.choice : 'retracted',
          ...stamp,
        };
    } else if (cmd.type === 'request.quorum') quorum = cmd.payload.quorum;
    else decidedBy = cmd.payload.by;
  }
  const state: ApprovalState = { quorum, ballots };
  if (decidedBy === undefined) return state;
  const choices = Object.values(ballots).map((b) => b.choice);
  const approvals = choices.filter((c) => c === 'approve').length;
  const rejections = choices.filter((c) => c === 'reject').length;
  return {
    ...state,
    decision: {
      outcome: approvals >= quorum ? 'approved' : 'rejected',
      by: decidedBy,
      approvals,
      rejections,
    },
  };
}
