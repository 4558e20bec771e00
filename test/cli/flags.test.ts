import { describe, expect, it } from 'vitest';
import { FlagError, parseFlags, parseListenAddress } from '../../src/cli/flags.js';

describe('parseFlags', () => {
  it('has Prometheus-style defaults', () => {
    expect(parseFlags([])).toMatchObject({ command: 'serve', configCheck: false, listenAddress: ':9365', logLevel: 'info', logFormat: 'logfmt', targets: [] });
  });

  it('reads every flag', () => {
    const flags = parseFlags(['probe', '--config.file=/etc/o.yml', '--config.check', '--web.listen-address=127.0.0.1:0', '--log.level=debug', '--log.format=json', '--json', '--target=a', '--target=b']);
    expect(flags).toMatchObject({ command: 'probe', configFile: '/etc/o.yml', configCheck: true, listenAddress: '127.0.0.1:0', logLevel: 'debug', logFormat: 'json', json: true, targets: ['a', 'b'] });
  });

  it.each([
    [['--nope'], /nope/],
    [['--log.level=verbose'], /--log\.level: "verbose" is not one of debug, info, warn, error/],
    [['--log.format=xml'], /--log\.format/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['probe', 'extra'], /unexpected argument "extra"/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(FlagError);
    expect(() => parseFlags(argv)).toThrow(message);
  });
});

describe('parseListenAddress', () => {
  it.each([
    [':9365', { host: undefined, port: 9365 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9365', { host: '::1', port: 9365 }],
  ])('%s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each(['9365', 'host', ':99999', '127.0.0.1:x'])('rejects %s', (text) => {
    expect(() => parseListenAddress(text)).toThrow(FlagError);
  });
});
