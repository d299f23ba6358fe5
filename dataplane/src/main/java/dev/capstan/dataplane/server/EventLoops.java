package dev.capstan.dataplane.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loops of a server and the channel classes that go with them: epoll on Linux when
 * the native transport loads, NIO elsewhere (and with {@code -Dcapstan.transport=nio}).
 *
 * <p>One group serves both accepting and I/O: with a handful of listeners a separate boss group
 * only adds a thread hop.
 */
public final class EventLoops implements AutoCloseable {

  private final EventLoopGroup group;
  private final boolean epoll;

  private EventLoops(EventLoopGroup group, boolean epoll) {
    this.group = group;
    this.epoll = epoll;
  }

  /**
   * Starts {@code threads} event loops named after {@code name}; 0 means Netty's default (two
   * per core).
   */
  public static EventLoops start(String name, int threads) {
    return start(name, threads, true);
  }

  /**
   * Starts event loops on NIO even where epoll is available, for servers whose connections
   * the epoll transport of this Netty version mishandles (see the caller).
   */
  public static EventLoops startNio(String name, int threads) {
    return start(name, threads, false);
  }

  private static EventLoops start(String name, int threads, boolean epollAllowed) {
    boolean epoll = epollAllowed && !"nio".equals(System.getProperty("capstan.transport")) && Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new EventLoops(
        new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io), epoll);
  }

  public EventLoopGroup group() {
    return group;
  }

  public Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends Channel> clientChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** {@code epoll} or {@code nio}, for the start-up log line. */
  public String transport() {
    return epoll ? "epoll" : "nio";
  }

  /** Stops the loops, letting queued work finish for up to {@code quietMillis}. */
  public void close(long quietMillis) {
    group.shutdownGracefully(quietMillis, Math.max(quietMillis, 1) * 5, TimeUnit.MILLISECONDS)
        .syncUninterruptibly();
  }

  @Override
  public void close() {
    close(0);
  }
}
