// A webhook-like producer: one invocation submits its commands the approach's way. Run as a real
// function, so a crash fault hits the invocation that does a caller-side approach's writes.
import type { IssueEnvelope as CommandEnvelope } from '../../../src/shared/issue-data/issue-writer';
import { submit, type ApproachName, type SubmitResult } from './approaches';

export interface ProducerRequest {
  approach: ApproachName;
  commands: CommandEnvelope[];
}

export function handler(request: ProducerRequest): Promise<SubmitResult> {
  return submit(request.approach, request.commands);
}
