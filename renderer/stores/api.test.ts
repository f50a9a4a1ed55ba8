import { describe, expect, it } from 'vitest';
import type { BraidApi } from '../api';
import { withExclusiveCalls } from './api';

describe('withExclusiveCalls', () => {
  it('sends an exclusive call only when nothing else is in flight, and nothing else until it answers', async () => {
    const log: string[] = [];
    const pending = new Map<string, () => void>();
    const inner: BraidApi = {
      call: ((name: string) => {
        log.push(`send ${name}`);
        return new Promise((resolve) => {
          pending.set(name, () => {
            log.push(`answer ${name}`);
            resolve(name as never);
          });
        });
      }) as BraidApi['call'],
      subscribe: () => () => {},
    };
    const api = withExclusiveCalls(inner, (name) => name === 'listpayments');
    const tick = async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    const a = api.call('getinfo');
    const big = api.call('listpayments');
    const b = api.call('listchannels');
    await tick();
    expect(log).toEqual(['send getinfo']);
    pending.get('getinfo')?.();
    await tick();
    expect(log).toEqual(['send getinfo', 'answer getinfo', 'send listpayments']);
    pending.get('listpayments')?.();
    await tick();
    expect(log.slice(3)).toEqual(['answer listpayments', 'send listchannels']);
    pending.get('listchannels')?.();
    expect(await Promise.all([a, big, b])).toEqual(['getinfo', 'listpayments', 'listchannels']);
  });
});
