// The daily report schedule. Report jobs arrive with the producers work; until then it only logs.
export async function handler(): Promise<void> {
  console.log('Daily report schedule fired; report jobs are not enabled in this version');
}
