import type { Handler } from './context';

export const checkplan: Handler<'checkplan'> = async () => {
  throw new Error('checkplan: not yet');
};
