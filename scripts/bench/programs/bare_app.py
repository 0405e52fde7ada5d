"""The bare endpoint: what FastAPI under uvicorn does with no work behind it.

Run by the bench as ``uvicorn scripts.bench.programs.bare_app:app`` with the service's settings.
"""

from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/readyz")
async def readyz() -> dict[str, bool]:
    return {"ok": True}


@app.post("/v1/petitions")
async def submit(request: Request) -> dict[str, bool]:
    await request.body()
    return {"ok": True}
