import { MAX_LINK_HEADER, nextLink } from '../src/paginate/link-parser.js';
import { parseLinkHeader } from '../src/index.js';

describe('parseLinkHeader', () => {
  it('reads GitHub-style headers', () => {
    const header =
      '<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last"';
    expect(parseLinkHeader(header)).toEqual([
      { uri: 'https://api.github.com/repositories/1/issues?page=2', rel: ['next'] },
      { uri: 'https://api.github.com/repositories/1/issues?page=5', rel: ['last'] },
    ]);
  });

  it('handles unquoted rel, several rel types, extra params, quoted commas and odd spacing', () => {
    const header = ' </a?x=1,2>;rel=next ;title="a, b; c" , </b> ; rel="prev FIRST";  type="text/html",</c>; rel="\\"x\\""';
    expect(parseLinkHeader(header)).toEqual([
      { uri: '/a?x=1,2', rel: ['next'] },
      { uri: '/b', rel: ['prev', 'first'] },
      { uri: '/c', rel: ['"x"'] },
    ]);
    expect(nextLink(header)).toBe('/a?x=1,2');
    expect(nextLink(['</p2>; rel="prev"', '</n2>; rel="next"'])).toBe('/n2');
  });

  it('skips malformed links, never throws', () => {
    for (const junk of ['', 'garbage', '<unterminated; rel=next', '; rel=next', '<>; rel=next', '<<>>', '"<a>"; rel=next', ',,,,']) {
      expect(() => parseLinkHeader(junk)).not.toThrow();
    }
    expect(parseLinkHeader('junk, </ok>; rel=next')).toEqual([{ uri: '/ok', rel: ['next'] }]);
    expect(nextLink(undefined)).toBeUndefined();
    expect(nextLink(42)).toBeUndefined();
  });

  it('refuses headers over the length cap', () => {
    expect(parseLinkHeader(`</a>; rel=next, ${' '.repeat(MAX_LINK_HEADER)}`)).toEqual([]);
  });

  // Quadratic parsers take tens of seconds on these (64 KiB² steps); a linear one takes milliseconds.
  // The bound is deliberately generous: this guards the complexity, not the speed.
  it.each([
    ['unbalanced brackets', '<'.repeat(MAX_LINK_HEADER - 1)],
    ['one huge URI', `<${'a'.repeat(MAX_LINK_HEADER - 20)}>; rel=next`],
    ['thousands of params', `</a>${'; x=y'.repeat(Math.floor((MAX_LINK_HEADER - 20) / 5))}; rel=next`],
    ['thousands of links', '</a>; rel=x,'.repeat(Math.floor(MAX_LINK_HEADER / 13))],
    ['an unterminated quote', `</a>; title="${'\\"'.repeat(Math.floor((MAX_LINK_HEADER - 20) / 2))}`],
    ['semicolons only', `</a>${';'.repeat(MAX_LINK_HEADER - 10)}`],
  ])('parses %s in linear time', (_name, header) => {
    expect(header.length).toBeLessThanOrEqual(MAX_LINK_HEADER);
    const started = performance.now();
    parseLinkHeader(header);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
