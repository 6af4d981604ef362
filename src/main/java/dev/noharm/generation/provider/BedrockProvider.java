package dev.noharm.generation.provider;

import dev.langchain4j.model.bedrock.BedrockChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.noharm.generation.ModelSpec;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;

/**
 * Amazon Bedrock's Converse API through LangChain4j's Bedrock model on the AWS SDK for Java v2. Credentials
 * come from the default AWS chain (environment, profile, instance or pod role) or a named profile in the
 * registry; the region from the registry or the default chain. {@code base_url} overrides the endpoint (a
 * VPC endpoint, or a local server). The SDK's own retries are off: the pipeline retries and rate-limits.
 * Bedrock has no seed and no rate-limit headers.
 */
final class BedrockProvider extends LangChainProvider {

    BedrockProvider(ModelSpec model) {
        super(model);
    }

    @Override
    protected boolean seeded() {
        return false;
    }

    @Override
    protected ChatModel build(Integer seed) {
        ModelSpec.Aws aws = model.aws();
        AwsCredentialsProvider credentials = aws != null && aws.profile() != null
                ? ProfileCredentialsProvider.create(aws.profile())
                : DefaultCredentialsProvider.builder().build();
        var client = BedrockRuntimeClient.builder()
                .credentialsProvider(credentials)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryPolicy(RetryPolicy.none())
                        .apiCallAttemptTimeout(timeout())
                        .build());
        if (aws != null && aws.region() != null) {
            client.region(Region.of(aws.region()));
        }
        if (model.baseUrl() != null) {
            client.endpointOverride(URI.create(model.baseUrl()));
        }
        return BedrockChatModel.builder()
                .client(client.build())
                .modelId(model.modelName())
                .maxRetries(0)
                .timeout(timeout())
                .returnThinking(false)
                .defaultRequestParameters(ChatRequestParameters.builder()
                        .temperature(model.params().temperature())
                        .maxOutputTokens(model.params().maxOutputTokens())
                        .build())
                .build();
    }
}
