"""``/staff/api/missed`` and ``/staff/api/knowledge/...``: what the assistant missed, and
turning it into knowledge (a new question of an entry, or a new entry draft)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.staff import StaffAudit, StaffSession
from bot.staff.knowledge_edit import EntryDraft, KnowledgeEditError, KnowledgeEditor
from bot.staff.missed import MissedQuestions
from bot.web.api import read_body
from bot.web.errors import ApiError
from bot.web.staff.security import require_change, require_staff, staff_auth

QuestionId = Annotated[int, Path(ge=1, le=2**62)]
EntryId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$")]


class AddQuestionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_id: EntryId


class DraftRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: EntryId
    category: str = Field(min_length=1, max_length=40)
    title_en: str = Field(min_length=1, max_length=200)
    title_zh: str = Field(min_length=1, max_length=200)
    questions_en: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(max_length=20)
    questions_zh: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(max_length=20)
    answer_en: str = Field(min_length=1, max_length=8000)
    answer_zh: str = Field(min_length=1, max_length=8000)
    source_name: str = Field(min_length=1, max_length=200)
    source_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")


def _missed(request: Request) -> MissedQuestions:
    return MissedQuestions(request.app.state.engine)


def _editor(request: Request) -> KnowledgeEditor:
    editor: KnowledgeEditor = request.app.state.knowledge_editor
    return editor


def _audit(request: Request) -> StaffAudit:
    return staff_auth(request).audit


def create_knowledge_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/staff/api/missed")
    async def missed(
        request: Request, _: Annotated[StaffSession, Depends(require_staff)]
    ) -> dict[str, Any]:
        questions = _missed(request)
        groups = await asyncio.to_thread(questions.groups)
        weeks = await asyncio.to_thread(questions.per_week)
        return {
            "per_week": [{"week": week, "count": count} for week, count in weeks],
            "groups": [
                {
                    "entry_id": group.entry_id,
                    "language": group.language,
                    "week": group.week,
                    "count": group.count,
                    "examples": [{"id": i, "text": text} for i, text in group.examples],
                }
                for group in groups[:200]
            ],
        }

    @router.post("/staff/api/missed/{question_id}/add-question")
    async def add_question(
        request: Request,
        question_id: QuestionId,
        session: Annotated[StaffSession, Depends(require_change)],
    ) -> dict[str, Any]:
        body = await read_body(request, AddQuestionRequest, 4096)
        found = await asyncio.to_thread(_missed(request).question, question_id)
        if found is None:
            raise ApiError(404, "no_such_question", "the question is gone (wiped or expired)")
        text, language = found
        try:
            path = await asyncio.to_thread(
                _editor(request).add_question, body.entry_id, language, text
            )
        except KnowledgeEditError as error:
            raise ApiError(422, "knowledge_refused", str(error)) from error
        detail = f"{language}: {text}"
        await asyncio.to_thread(
            _audit(request).record, session.user.username, "add_question", body.entry_id, detail
        )
        return {"entry_id": body.entry_id, "file": path.name, "question": text}

    @router.post("/staff/api/knowledge/entries")
    async def create_entry(
        request: Request, session: Annotated[StaffSession, Depends(require_change)]
    ) -> dict[str, Any]:
        body = await read_body(request, DraftRequest, 64 * 1024)
        draft = EntryDraft(
            id=body.id,
            category=body.category,
            title_en=body.title_en,
            title_zh=body.title_zh,
            questions={"en": body.questions_en, "zh": body.questions_zh},
            answer_en=body.answer_en,
            answer_zh=body.answer_zh,
            source_name=body.source_name,
            source_url=body.source_url,
        )
        try:
            path = await asyncio.to_thread(_editor(request).create_entry, draft)
        except KnowledgeEditError as error:
            raise ApiError(422, "knowledge_refused", str(error)) from error
        await asyncio.to_thread(
            _audit(request).record, session.user.username, "create_entry", body.id, body.title_en
        )
        return {"entry_id": body.id, "file": f"{body.category}/{path.name}"}

    return router
