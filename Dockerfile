# The detector image named by k8s/deployment.yaml (flowguard/detector:0.1.0).
# Build: docker build -t flowguard/detector:0.1.0 .
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY schemas ./schemas
COPY services/detector ./services/detector
COPY tsconfig.json ./
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
USER node
CMD ["node", "--import", "tsx", "services/detector/src/server.ts"]
