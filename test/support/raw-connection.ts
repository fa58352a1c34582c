import { connect, type Socket } from 'node:net';

/** A raw TCP connection to a test server, collecting what it answers: for requests a fetch client cannot send (half bodies, chunked floods). */
export async function rawConnection(url: string): Promise<{ socket: Socket; response: () => string; closed: Promise<void> }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let response = '';
  socket.on('data', (d: Buffer) => (response += d.toString()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, response: () => response, closed };
}
