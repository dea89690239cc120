// The domains `npm run sim -- --domain <name>` can drive through the same writer core.
import type { SimDomain } from '../domain.js';
import { approvalsDomain } from './approvals.js';
import { issueStampedesDomain } from './issue-stampedes.js';
import { issuesDomain } from './issues.js';

export const DOMAINS: Record<string, SimDomain> = {
  issues: issuesDomain,
  approvals: approvalsDomain,
  'issue-stampedes': issueStampedesDomain,
};

export const DEFAULT_DOMAIN = 'issues';
