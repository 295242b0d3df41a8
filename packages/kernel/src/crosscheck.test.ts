import { describe, expect, it } from 'vitest';
import { crosscheck, formatCrosscheck } from './crosscheck.js';

describe('allocator cross-check', () => {
  const s = crosscheck({ ramSize: 32 << 20, maxSize: 1024, batch: 64 });

  it('serves every request on both personalities and accounts the rounding', () => {
    for (const t of [s.linux, s.freebsd]) {
      expect(t.allocations).toBe(1024);
      expect(t.failures).toBe(0);
      expect(t.requestedBytes).toBe((1024 * 1025) / 2);
      expect(t.usableBytes).toBeGreaterThanOrEqual(t.requestedBytes);
      expect(t.peakPages).toBeGreaterThan(0);
      expect(t.pagesAfterReclaim).toBeLessThanOrEqual(t.pagesAfterFree);
    }
  });

  it('finds the size classes Linux has and FreeBSD lacks (kmalloc-8, -96, -192)', () => {
    const first = s.classDifferences[0];
    expect(first).toEqual({ sizes: [1, 8], linux: 'kmalloc-8', freebsd: 'malloc-16' });
    expect(s.classDifferences.some((d) => d.linux === 'kmalloc-96' && d.freebsd === 'malloc-128')).toBe(true);
    expect(s.classDifferences.some((d) => d.linux === 'kmalloc-192' && d.freebsd === 'malloc-256')).toBe(
      true,
    );
    // Linux wastes less by rounding on this sweep: it has more small classes.
    expect(s.linux.usableBytes).toBeLessThan(s.freebsd.usableBytes);
  });

  it('reports the size-0 and oversize semantics of each kernel', () => {
    expect(s.semantics[0]).toMatch(
      /kmalloc returns ZERO_SIZE_PTR \(16\), no memory; malloc\(9\) returns a 16-byte/,
    );
    expect(s.semantics[1]).toMatch(/^16 MiB: kmalloc fails/);
    expect(formatCrosscheck(s)).toContain('pages at peak');
  });
});
