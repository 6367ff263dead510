package io.planstream.app.cli;

import picocli.CommandLine;

/** The version of the packaged application. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = PlanstreamCommand.class.getPackage().getImplementationVersion();
        return new String[] {"planstream " + (version == null ? "development build" : version)};
    }
}
