using EarlyExit;
using EarlyExit.Server;

// A minimal ASP.NET app hosting EarlyExit's endpoints (/v1/classify, /v1/model, /healthz, /metrics)
// beside one of its own. The model folder comes from configuration: "EarlyExit": { "ModelDirectory": … }.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddEarlyExitClassifier(builder.Configuration);

var app = builder.Build();
app.MapEarlyExitApi();
// Your own endpoint, with the same classifier: one text in, its label out.
app.MapGet("/label", async (string text, EarlyExitClassifier classifier, CancellationToken cancellationToken) =>
    (await classifier.ClassifyAsync(text, cancellationToken: cancellationToken)).Label);
app.Run();
