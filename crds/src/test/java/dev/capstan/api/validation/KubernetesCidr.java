package dev.capstan.api.validation;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelFunctionBinding;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * {@code isCIDR(string)} of the API server's CEL CIDR library (k8s.io/apiserver/pkg/cel/library,
 * API server 1.31 and later): Go's {@code netip.ParsePrefix}, which is strict (no leading zeros,
 * no zones, prefix length within the address), and no IPv4-mapped IPv6 addresses.
 */
final class KubernetesCidr {
  static final CelFunctionDecl DECLARATION =
      CelFunctionDecl.newFunctionDeclaration(
          "isCIDR", CelOverloadDecl.newGlobalOverload("is_cidr_string", SimpleType.BOOL, SimpleType.STRING));

  static final CelFunctionBinding BINDING =
      CelFunctionBinding.from("is_cidr_string", String.class, KubernetesCidr::isCidr);

  private static final Pattern IPV4_PART = Pattern.compile("0|[1-9][0-9]{0,2}");
  private static final Pattern HEX_GROUP = Pattern.compile("[0-9a-fA-F]{1,4}");
  private static final Pattern BITS = Pattern.compile("0|[1-9][0-9]{0,2}");

  private KubernetesCidr() {}

  static boolean isCidr(String s) {
    int slash = s.indexOf('/');
    if (slash < 0 || !BITS.matcher(s.substring(slash + 1)).matches()) {
      return false;
    }
    String addr = s.substring(0, slash);
    int bits = Integer.parseInt(s.substring(slash + 1));
    if (addr.contains(":")) {
      int[] groups = ipv6(addr);
      boolean ipv4Mapped =
          groups != null && groups[5] == 0xffff && IntStream.range(0, 5).allMatch(i -> groups[i] == 0);
      return groups != null && !ipv4Mapped && bits <= 128;
    }
    return ipv4(addr) && bits <= 32;
  }

  private static boolean ipv4(String addr) {
    String[] parts = addr.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (!IPV4_PART.matcher(p).matches() || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
  private static int[] ipv6(String addr) {
    String text = addr;
    int lastColon = text.lastIndexOf(':');
    String last = text.substring(lastColon + 1);
    if (last.contains(".")) {
      // An embedded IPv4 address stands for the last two groups.
      if (!ipv4(last)) {
        return null;
      }
      String[] p = last.split("\\.");
      int high = Integer.parseInt(p[0]) << 8 | Integer.parseInt(p[1]);
      int low = Integer.parseInt(p[2]) << 8 | Integer.parseInt(p[3]);
      text = text.substring(0, lastColon + 1) + Integer.toHexString(high) + ":" + Integer.toHexString(low);
    }
    String[] halves = text.split("::", -1);
    if (halves.length > 2) {
      return null;
    }
    int[] head = groups(halves[0]);
    int[] rest = halves.length == 2 ? groups(halves[1]) : new int[0];
    if (head == null || rest == null) {
      return null;
    }
    int explicit = head.length + rest.length;
    if ((halves.length == 1 && explicit != 8) || (halves.length == 2 && explicit > 7)) {
      return null;
    }
    int[] out = new int[8];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(rest, 0, out, 8 - rest.length, rest.length);
    return out;
  }

  private static int[] groups(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    String[] parts = text.split(":", -1);
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (!HEX_GROUP.matcher(parts[i]).matches()) {
        return null;
      }
      out[i] = Integer.parseInt(parts[i], 16);
    }
    return out;
  }
}
