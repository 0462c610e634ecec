// json-server 0.17 ships no types: what test/servers/json-server.ts uses of it.
declare module 'json-server' {
  import type http from 'node:http';
  interface Chain<T> {
    find(query: object): Chain<T>;
    assign(patch: object): Chain<T>;
    remove(query: object): Chain<T>;
    push(item: object): Chain<T>;
    value(): T;
    write(): T;
  }
  type Handler = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;
  const jsonServer: {
    create(): { use(...handlers: unknown[]): void; listen(port: number, host: string, done: () => void): http.Server };
    defaults(options: object): Handler[];
    router<T>(db: Record<string, T[]>): Handler & { db: { get(name: string): Chain<T[]> } };
  };
  export default jsonServer;
}
