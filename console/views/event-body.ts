// Reads which issues and command types a queued event carries. Event bodies are untyped JSON here:
// an event pushed by another deployment (or a malformed one) must still be listed, not crash.
export interface EventContents {
  issueIds: string[];
  commandTypes: string[];
  commands: number;
  replay: boolean;
}

export function eventContents(body: Record<string, unknown>): EventContents {
  const commands = Array.isArray(body['commands']) ? (body['commands'] as unknown[]) : [];
  const issueIds = new Set<string>();
  const commandTypes = new Set<string>();
  for (const command of commands) {
    if (typeof command !== 'object' || command === null) continue;
    const { issueId, type } = command as { issueId?: unknown; type?: unknown };
    if (typeof issueId === 'string') issueIds.add(issueId);
    if (typeof type === 'string') commandTypes.add(type);
  }
  return {
    issueIds: [...issueIds].sort(),
    commandTypes: [...commandTypes].sort(),
    commands: commands.length,
    replay: body['replay'] === true,
  };
}
