# gdbt image: the CLI plus the showcase project. Not exercised by CI.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# pg_query_go compiles PostgreSQL's parser with cgo.
RUN CGO_ENABLED=1 go build -trimpath -o /out/gdbt ./cmd/gdbt && \
    CGO_ENABLED=0 go build -trimpath -o /out/fixture-api ./cmd/fixture-api

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates postgresql-client && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/gdbt /out/fixture-api /usr/local/bin/
COPY dbt_project /project/dbt_project
COPY fixtures/showcase /project/fixtures/showcase
WORKDIR /project/dbt_project
ENTRYPOINT ["gdbt"]
CMD ["build", "--profiles-dir", "."]
