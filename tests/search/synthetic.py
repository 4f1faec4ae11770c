"""A small corpus written for the tests: (title, body, technologies, tags), and judged queries."""

from tests.search.relevance import Judged

ARTICLES = [
    (
        "Retrying Celery tasks with exponential backoff",
        "Declare autoretry_for on the task and let Celery retry with backoff. A celery retry must "
        "be safe to run twice, so make every task idempotent.",
        ["celery", "python"],
        ["tasks"],
    ),
    (
        "Idempotent background jobs",
        "A job that runs twice must leave the same result. Store a key per job and skip it when "
        "the key exists; queues deliver at least once.",
        ["celery", "rabbitmq"],
        ["tasks"],
    ),
    (
        "PostgreSQL indexes: B-tree, GIN and partial indexes",
        "Index the columns you filter and sort on. GIN indexes serve full-text search and JSONB; "
        "partial indexes keep hot rows small.",
        ["postgresql"],
        ["performance"],
    ),
    (
        "Full-text search in PostgreSQL",
        "A weighted tsvector with a GIN index, websearch_to_tsquery for user input and ts_rank_cd "
        "for ranking. Trigram similarity catches typos.",
        ["postgresql"],
        ["search"],
    ),
    (
        "Caching API responses with Redis",
        "Cache expensive responses in Redis with a versioned key so a write invalidates exactly "
        "what it changed. Set a timeout on every key.",
        ["redis", "django"],
        ["performance", "caching"],
    ),
    (
        "Avoiding the N+1 query problem in Django",
        "Use select_related for foreign keys and prefetch_related for many-to-many relations; "
        "assert the query count in tests so it stays constant.",
        ["django", "django-orm"],
        ["performance"],
    ),
    (
        "JWT authentication for a REST API",
        "Issue short-lived access tokens and longer refresh tokens; rotate refresh tokens and "
        "verify the signature on every request.",
        ["rest", "auth"],
        ["security"],
    ),
    (
        "Designing GraphQL schemas",
        "Mirror your REST resources, limit query depth and aliases, and batch database reads with "
        "dataloaders to avoid waterfalls.",
        ["graphql"],
        ["api-design"],
    ),
    (
        "Dockerizing a Django application",
        "A slim base image, a non-root user, and a multi-stage build keep the image small. Compose "
        "runs PostgreSQL and Redis next to it.",
        ["docker", "django"],
        ["deployment"],
    ),
    (
        "Deploying to Kubernetes with health checks",
        "Liveness and readiness probes tell Kubernetes when to restart a pod and when to send it "
        "traffic. Scale web replicas with an autoscaler.",
        ["kubernetes", "docker"],
        ["deployment"],
    ),
    (
        "Continuous integration with GitHub Actions",
        "Run the linters, the type checker and the tests on every push; cache dependencies and "
        "start PostgreSQL as a service container.",
        ["github-actions"],
        ["ci"],
    ),
    (
        "Scheduling periodic work with cron",
        "Cron expressions run a command at fixed times. For an application, Celery beat keeps the "
        "schedule next to the code.",
        ["cron", "celery"],
        ["scheduling"],
    ),
    (
        "RabbitMQ exchanges and queues",
        "Producers publish to exchanges, bindings route messages to queues, and consumers "
        "acknowledge them after the work is done.",
        ["rabbitmq"],
        ["messaging"],
    ),
    (
        "HTTPS and TLS certificates",
        "Terminate TLS at the load balancer, redirect plain HTTP, and send HSTS once every page "
        "works over HTTPS.",
        ["https-ssl"],
        ["security"],
    ),
    (
        "Firewall rules for a small server",
        "Deny incoming traffic by default, allow SSH from known addresses, and open only the "
        "ports your services need.",
        ["firewalls"],
        ["security"],
    ),
    (
        "Monitoring with metrics and alerts",
        "Export request latency and error rates, alert on symptoms rather than causes, and keep "
        "dashboards for the questions you ask during incidents.",
        ["monitoring"],
        ["operations"],
    ),
    (
        "Writing a Jenkins pipeline",
        "A declarative Jenkinsfile describes stages for build, test and deploy; keep credentials "
        "in the Jenkins credential store.",
        ["jenkins"],
        ["ci"],
    ),
    (
        "Python generators and iterators",
        "A generator yields values lazily, so a pipeline of generators processes a large file "
        "without loading it into memory.",
        ["python"],
        ["language"],
    ),
    (
        "Rate limiting an API",
        "Throttle clients by key with a token bucket in Redis and answer 429 with a Retry-After "
        "header when they exceed their budget.",
        ["rest", "redis"],
        ["api-design"],
    ),
    (
        "Flower dashboards for Celery",
        "Flower shows workers, queues and task states; celery retry counts appear per task. "
        "Protect it with authentication.",
        ["celery"],
        ["operations"],
    ),
]

QUERIES = [
    Judged("celery retry", r"^Retrying Celery", r"Idempotent|Flower"),
    Judged('"celery retry" -flower', r"^Retrying Celery"),
    Judged("idempotent jobs", r"^Idempotent background", r"^Retrying Celery"),
    Judged("postgres full text search", r"^Full-text search in PostgreSQL", r"^PostgreSQL indexes"),
    Judged("gin index", r"^PostgreSQL indexes", r"^Full-text search"),
    Judged("postgress", r"PostgreSQL"),
    Judged("kubernetis probes", r"Kubernetes"),
    Judged("redis caching", r"^Caching API responses", r"^Rate limiting"),
    Judged("n+1 queries django", r"N\+1"),
    Judged("jwt tokens", r"^JWT authentication"),
    Judged("graphql schema design", r"^Designing GraphQL"),
    Judged("docker image", r"^Dockerizing", r"Kubernetes"),
    Judged("github actions", r"^Continuous integration"),
    Judged("cron or beat schedule", r"^Scheduling periodic", r"Celery"),
    Judged("rabbitmq queues", r"^RabbitMQ", r"Idempotent"),
    Judged("tls certificates https", r"^HTTPS and TLS"),
    Judged("firewall", r"^Firewall rules"),
    Judged("jenkins pipeline", r"^Writing a Jenkins", r"^Continuous integration"),
    Judged("python generators", r"^Python generators"),
    Judged("rate limit 429", r"^Rate limiting"),
    Judged("monitoring alerts", r"^Monitoring"),
    Judged("flower dashboard", r"^Flower"),
]
