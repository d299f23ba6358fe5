package dev.capstan.dataplane.lb.proxy;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** A block of IP addresses such as {@code 10.0.0.0/8} or {@code fd00::/8}. */
public record Cidr(byte[] network, int prefixLength) {

  /** @throws IllegalArgumentException naming the text when it is not a CIDR block */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String ip = slash < 0 ? text : text.substring(0, slash);
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
    if (bytes == null) {
      throw new IllegalArgumentException("trustedProxies: " + text + " is not a CIDR block such as 10.0.0.0/8");
    }
    int prefix;
    try {
      prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > bytes.length * 8) {
      throw new IllegalArgumentException("trustedProxies: " + text + " has a prefix length outside 0.." + bytes.length * 8);
    }
    return new Cidr(bytes, prefix);
  }

  public boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  public boolean contains(byte[] address) {
    byte[] a = address;
    if (a.length != network.length) {
      a = mapped(a, network.length);
      if (a == null) {
        return false;
      }
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (a[full] & mask) == (network[full] & mask);
  }

  /** An IPv4 address as IPv4-mapped IPv6 or back, so ::ffff:10.0.0.1 is in 10.0.0.0/8. */
  private static byte[] mapped(byte[] a, int length) {
    try {
      if (length == 4 && a.length == 16) {
        InetAddress v = InetAddress.getByAddress(a);
        return v.getAddress().length == 4 ? v.getAddress() : null;
      }
      if (length == 16 && a.length == 4) {
        byte[] m = new byte[16];
        m[10] = (byte) 0xFF;
        m[11] = (byte) 0xFF;
        System.arraycopy(a, 0, m, 12, 4);
        return m;
      }
    } catch (UnknownHostException e) {
      return null;
    }
    return null;
  }

  public static boolean anyContains(java.util.List<Cidr> blocks, byte[] address) {
    for (Cidr c : blocks) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
