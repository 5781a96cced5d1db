package io.leakwatch.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback finds this through the service loader before any logger exists, so the first line is
 * already in promslog's shape (logfmt, info, stdout), instead of Logback's debug-level default.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_TOP_PRIORITY)
public final class DefaultLogConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        Logging.install(context, Level.INFO, LogFormat.LOGFMT, new Logging.Target.Stdout());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
