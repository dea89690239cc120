// Jira product events. The full mapping of issue events to commands arrives with the producers work;
// until then the trigger acknowledges the event and records nothing.
interface ProductEvent {
  eventType?: string;
}

export async function handler(event: ProductEvent): Promise<void> {
  console.log(`Jira event ${event.eventType ?? 'unknown'} received`);
}
