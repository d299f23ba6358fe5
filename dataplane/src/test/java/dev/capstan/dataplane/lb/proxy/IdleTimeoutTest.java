package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleTimeoutTest {

  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final List<Object> events = new ArrayList<>();
  private final EmbeddedChannel ch = new EmbeddedChannel();

  IdleTimeoutTest() {
    ch.freezeTime();
    ch.pipeline().addLast(new IdleTimeout(10 * SECOND, clock::get), new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        events.add(evt);
      }
    });
  }

  /** Moves the loop's clock and the handler's together, running what falls due. */
  private void advance(long nanos) {
    clock.addAndGet(nanos);
    ch.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
    ch.runScheduledPendingTasks();
  }

  @Test
  void aConnectionWithoutTrafficIsReportedIdleAfterTheTimeoutAndAgainAfterAnother() {
    advance(10 * SECOND - 1);
    assertThat(events).isEmpty();
    advance(1);
    assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    advance(10 * SECOND);
    assertThat(events).hasSize(2);
  }

  @Test
  void aReadBatchOrAFlushPostponesTheTimeout() {
    advance(6 * SECOND);
    ch.writeInbound("request");
    advance(6 * SECOND); // 12 s since the start, 6 s since the read
    assertThat(events).isEmpty();
    ch.writeOutbound("response"); // written and flushed
    advance(9 * SECOND); // 9 s since the flush
    assertThat(events).isEmpty();
    advance(1 * SECOND);
    assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
  }

  @Test
  void nothingIsReportedOnceTheConnectionIsClosed() {
    ch.close();
    advance(60 * SECOND);
    assertThat(events).noneMatch(e -> e instanceof IdleStateEvent);
  }
}
