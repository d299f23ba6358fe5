package dev.capstan.dataplane.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * PROXY protocol towards servers in TCP mode, black-box: a server on loopback that decodes the
 * header with Netty's decoder and reports what it was told, and HAProxy itself accepting it.
 */
class ProxyProtocolTest {

  private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private LbServer lb;

  @AfterEach
  void stop() throws Exception {
    LbFixture.stop(lb, closeables);
  }

  /** What a server saw first on one connection: the PROXY header's fields. */
  record Seen(String version, String family, String source, int sourcePort, String destination,
      int destinationPort) {}

  /**
   * A server that expects a PROXY header (v1 or v2, as HAProxyMessageDecoder detects), reports
   * it, then echoes the bytes that follow and answers a half-close with a half-close.
   */
  private int proxyProtocolEchoServer(BlockingQueue<Seen> seen) throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    closeables.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
    Channel server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HAProxyMessageDecoder(), new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HAProxyMessage h) {
                  seen.add(new Seen(h.protocolVersion().name(), h.proxiedProtocol().name(),
                      h.sourceAddress(), h.sourcePort(), h.destinationAddress(), h.destinationPort()));
                  h.release();
                } else {
                  ctx.write(msg);
                }
              }

              @Override
              public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
              }

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                  ((DuplexChannel) ctx.channel()).shutdownOutput();
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                seen.add(new Seen("refused: " + cause.getMessage(), null, null, 0, null, 0));
                ctx.close();
              }
            });
          }
        })
        .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    closeables.add(() -> server.close().syncUninterruptibly());
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private static String tcpConfig(String proxyProtocol, int serverPort) {
    return """
        mode: TCP
        algorithm: RoundRobin
        proxyProtocol: %s
        listeners: [{name: tcp, port: 0}]
        backends: [{host: 127.0.0.1, port: %d, weight: 1}]
        timeouts: {connect: 2s, response: 10s, idle: 30s}
        adminPort: 0
        """.formatted(proxyProtocol, serverPort);
  }

  /** Sends {@code payload}, half-closes, and reads to the server's half-close. */
  private static byte[] exchange(Socket s, byte[] payload) throws Exception {
    Thread writer = new Thread(() -> {
      try {
        s.getOutputStream().write(payload);
        s.shutdownOutput();
      } catch (IOException ignored) {
        // seen as a short read
      }
    });
    writer.start();
    byte[] back = s.getInputStream().readAllBytes();
    writer.join();
    return back;
  }

  @ParameterizedTest
  @ValueSource(strings = {"V1", "V2"})
  void theServerIsToldTheClientAndListenerAddressesThenBytesFlowBothWays(String version) throws Exception {
    BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    lb = LbServer.start(LbFixture.parse(tcpConfig(version, proxyProtocolEchoServer(seen))), 2);
    byte[] payload = new byte[1 << 20];
    new Random(7).nextBytes(payload);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port("tcp"))) {
      s.setSoTimeout(20_000);
      assertThat(exchange(s, payload)).isEqualTo(payload);
      assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo(new Seen(version, "TCP4",
          "127.0.0.1", s.getLocalPort(), "127.0.0.1", lb.port("tcp")));
    }
    assertThat(seen).isEmpty(); // one header per connection, not one per write
  }

  /** The setting is live: a reload applies it to the next connection, as a pool connects anew. */
  @Test
  void aReloadChangesTheVersionForNewConnections() throws Exception {
    BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    int server = proxyProtocolEchoServer(seen);
    lb = LbServer.start(LbFixture.parse(tcpConfig("V1", server)), 2);
    for (String version : List.of("V1", "V2")) {
      if (version.equals("V2")) {
        lb.reload(LbFixture.parse(tcpConfig("V2", server)));
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port("tcp"))) {
        s.setSoTimeout(20_000);
        byte[] hello = ("hello " + version).getBytes(StandardCharsets.US_ASCII);
        assertThat(exchange(s, hello)).isEqualTo(hello);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).extracting(Seen::version, Seen::sourcePort)
            .containsExactly(version, s.getLocalPort());
      }
    }
  }

  /**
   * The real peer: HAProxy with {@code accept-proxy}, which refuses a connection whose header
   * it cannot parse, answers with the client address it took from the header.
   */
  @ParameterizedTest
  @ValueSource(strings = {"V1", "V2"})
  void haproxyWithAcceptProxySeesTheClientAddress(String version) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(HAPROXY),
        "HAProxy is not installed at " + HAPROXY + " (Debian package haproxy); the interop test needs it");
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path cfg = Files.createTempFile("haproxy-accept-proxy", ".cfg");
    closeables.add(() -> Files.deleteIfExists(cfg));
    Files.writeString(cfg, """
        global
          maxconn 100
        defaults
          mode http
          timeout connect 2s
          timeout client 10s
          timeout server 10s
        frontend accept
          bind 127.0.0.1:%d accept-proxy
          http-request return status 200 content-type text/plain lf-string "%%[src]:%%[src_port] %%[dst]:%%[dst_port]"
        """.formatted(port));
    Process haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", cfg.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    closeables.add(() -> {
      haproxy.destroy();
      haproxy.waitFor(5, TimeUnit.SECONDS);
    });
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
      try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return haproxy.isAlive();
      }
    });
    lb = LbServer.start(LbFixture.parse(tcpConfig(version, port)), 2);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), lb.port("tcp"))) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write("GET / HTTP/1.0\r\nHost: lb\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(response).startsWith("HTTP/1.1 200")
          .endsWith("\r\n\r\n127.0.0.1:" + s.getLocalPort() + " 127.0.0.1:" + lb.port("tcp"));
    }
  }
}
