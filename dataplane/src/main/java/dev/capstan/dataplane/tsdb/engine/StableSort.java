package dev.capstan.dataplane.tsdb.engine;

/** A stable merge sort of indexes by a primitive key, without boxing millions of Integers. */
final class StableSort {
  private StableSort() {}

  /** Sorts {@code order} so that {@code times[order[i]]} ascends, keeping equal keys in their order. */
  static void byTime(int[] order, long[] times) {
    int[] buffer = new int[order.length];
    int[] src = order;
    int[] dst = buffer;
    for (int width = 1; width < order.length; width *= 2) {
      for (int lo = 0; lo < order.length; lo += 2 * width) {
        int mid = Math.min(lo + width, order.length);
        int hi = Math.min(lo + 2 * width, order.length);
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          dst[k++] = times[src[j]] < times[src[i]] ? src[j++] : src[i++];
        }
        while (i < mid) {
          dst[k++] = src[i++];
        }
        while (j < hi) {
          dst[k++] = src[j++];
        }
      }
      int[] t = src;
      src = dst;
      dst = t;
    }
    if (src != order) {
      System.arraycopy(src, 0, order, 0, order.length);
    }
  }
}
