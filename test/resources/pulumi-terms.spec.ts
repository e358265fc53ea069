import assert from "node:assert/strict";
import { inPulumiTerms } from "../../provider/resources/pulumi-terms";
import { AuthError, TimeoutError } from "../../provider/sdk";

describe("next steps in the right terms", () => {
  const rejected = () => new AuthError({ apiCode: 3, endpoint: "wallets", httpStatus: 401 });

  it("the SDK's rejected-key message names the SDK's places, no Pulumi command (SDK and CLI users)", () => {
    assert.match(
      rejected().message,
      /check the key given \(the apiKey option, CLORE_API_KEY or ~\/\.clore\/config\.json\)/,
    );
    assert.doesNotMatch(rejected().message, /pulumi/i);
  });

  it("inside a stack the provider adds the Pulumi commands, once", () => {
    const e = inPulumiTerms(inPulumiTerms(rejected())) as Error;
    assert.equal(e.message.match(/pulumi config set --secret clore:apiKey/g)?.length, 1);
    assert.match(e.message, /run `pulumi up` first or add `--run-program`/);
    assert.ok(e instanceof AuthError, "still the same typed error");
  });

  it("leaves other errors as they are", () => {
    const e = new TimeoutError("wallets", 1000);
    assert.equal((inPulumiTerms(e) as Error).message, new TimeoutError("wallets", 1000).message);
  });
});
