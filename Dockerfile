# The detector image named by k8s/deployment.yaml (flowguard/detector:0.1.0).
# Build: docker build -t flowguard/detector:0.1.0 .

# The analyst console's bundle: esbuild, chart.js and cytoscape are dev dependencies, so it is built
# here and only services/console/dist goes into the image.
FROM node:20-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY schemas ./schemas
COPY services/console ./services/console
RUN npm run console:build

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY schemas ./schemas
COPY services/detector ./services/detector
COPY --from=console /app/services/console/dist ./services/console/dist
COPY tsconfig.json ./
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
USER node
# The V8 flags: see DETECTOR_NODE_FLAGS in scripts/dev/detector-child.ts.
CMD ["node", "--max-semi-space-size=32", "--max-old-space-size=768", "--heap-growing-percent=300", "--import", "tsx", "services/detector/src/server.ts"]
