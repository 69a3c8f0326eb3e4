import ArgumentParser
import MMPConfig
import MMPCore
import MMPPipeline
import MMPJobViews
import MMPQueue

struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue a recipe for the workers.",
        discussion: """
        Validates the recipe here first (an invalid recipe is never queued), then queues a job carrying the \
        recipe, the text of its SQL file and the parameters. The workers' own APP_ENV config decides where the \
        data comes from and where the model goes. Prints the job id.
        """
    )

    @Argument(help: "Recipe path, or name under recipes/ (with or without .yaml).")
    var recipe: String

    @Option(help: "Queue name (default: queue.default_queue, normally 'default').")
    var queue: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("Override: key=value (repeatable).", valueName: "key=value"))
    var params: [String] = []

    @Option(help: ArgumentHelp("Run no earlier than this from now (30s, 5m, 2h).", valueName: "duration"))
    var delay: String?

    @Option(help: "Attempts before a retryable failure becomes final (default: queue.max_attempts).")
    var maxAttempts: Int?

    @Option(help: ArgumentHelp("Stop the job after this long (default: queue.job_timeout).", valueName: "duration"))
    var timeout: String?

    @Option(help: "Same key, same job, until that job has ended.")
    var idempotencyKey: String?

    @Option(help: ArgumentHelp("Register the model in MLflow's model registry under this name (the worker's config must track to MLflow).", valueName: "name"))
    var register: String?

    @Option(help: ArgumentHelp("With --register: point this alias (e.g. champion) at the new version.", valueName: "alias"))
    var alias: String?

    @Flag(help: "Follow the job to its end; exit 0 only if it succeeded.")
    var wait = false

    @Flag(help: "Print JSON ({\"id\": ...}, and the final job with --wait).")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        do { try TrackingRequest.validateRegistration(name: register, alias: alias) } catch let e as MMPError { throw ValidationError(e.message) }
    }

    func run() throws {
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        let parsed = try RecipeLoader.parseParams(params)
        let (recipe, document) = try workspace.recipe(self.recipe, params: params)
        try RecipeValidator.validate(recipe, document: document)
        var options = JSONObject()
        if let register { options["register"] = .string(register) }
        if let alias { options["register_alias"] = .string(alias) }
        let payload = JobPayload(kind: .train, recipeName: recipe.name, recipeFile: recipe.file, recipeYAML: document.text,
                                 sqlText: try workspace.sqlText(for: recipe), params: parsed, options: options)
        let queue = try Fleet.open(global)
        let submitted = try queue.submit(.init(
            queue: self.queue ?? queue.settings.defaultQueue, payload: payload,
            delay: try delay.map(DurationParser.seconds) ?? 0, maxAttempts: maxAttempts,
            timeout: try timeout.map(DurationParser.seconds), idempotencyKey: idempotencyKey))
        if submitted.replicas == 0 {
            StandardStreams.writeError("warning: no replica acknowledged the job within queue.replica_timeout (durability: replicas); a failover now could lose it\n")
        }
        if !wait {
            if json {
                var o = JSONObject([("id", .string(submitted.id)), ("created", .bool(submitted.created))])
                if let replicas = submitted.replicas { o["replicas"] = .int(replicas) }
                StandardStreams.writeOut(JSON.object(o).serialized() + "\n")
            } else {
                StandardStreams.writeOut(submitted.id + "\n")
                if !submitted.created { StandardStreams.writeError("(an unfinished job with this idempotency key exists; that is its id)\n") }
            }
            return
        }
        if !json { StandardStreams.writeError("queued \(submitted.id)\n") }
        let record = try Fleet.follow(queue, id: submitted.id, quiet: json)
        let now = Clock.nowMillis()
        if json {
            StandardStreams.writeOut((record?.json(nowMillis: now) ?? ["id": .string(submitted.id)]).serialized() + "\n")
        } else if let record {
            StandardStreams.writeOut(JobViews.detail(record, nowMillis: now))
        }
        if record?.state != .succeeded { throw ExitCode(1) }
    }
}
