export async function sweepBatching(..._a: unknown[]): Promise<{ text: string; result: unknown }> { throw new Error('todo'); }
