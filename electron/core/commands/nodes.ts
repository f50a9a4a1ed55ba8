import type { Handler } from './context';

export const listnodes: Handler<'listnodes'> = async () => {
  throw new Error('listnodes: not yet');
};
