/**
 * Serves the debug adapter over TCP on 127.0.0.1 (`vmm-lab dap --port N`): one session per
 * connection, for DAP clients such as Neovim's nvim-dap or Emacs' dape.
 */
import { createServer, type Server } from 'node:net';
import { VmmDebugSession } from './session';

export function serveDap(port: number, onListening?: (port: number) => void): Server {
  const server = createServer((socket) => {
    const session = new VmmDebugSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, '127.0.0.1', () => {
    const addr = server.address();
    onListening?.(typeof addr === 'object' && addr !== null ? addr.port : port);
  });
  return server;
}
