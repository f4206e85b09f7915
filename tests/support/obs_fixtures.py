"""Fixtures for a real headless OBS, shared by every OBS test file so one OBS serves the whole session."""
from __future__ import annotations

import os
from typing import TypeVar

import pytest
from obswebsocket import requests

from tests.support.obs_harness import ANSWER, APT_PACKAGES, CARD, QUESTION, SCENE, ObsHarness, obs_available

T = TypeVar("T")


@pytest.fixture(scope="session")
def obs_harness():
    if not obs_available():
        if os.environ.get("CI"):
            pytest.fail(f"OBS Studio is missing in CI: apt-get install {APT_PACKAGES}")
        pytest.skip(f"OBS Studio is not installed (apt-get install {APT_PACKAGES}); with CI set this fails instead")
    harness = ObsHarness()
    try:
        harness.start()
        harness.build_faq_scene()
        yield harness
    finally:
        harness.stop()


class ObsView:
    """Reads back what OBS holds, over a connection of its own."""

    def __init__(self, harness: ObsHarness) -> None:
        self.ws = harness.client()
        self.item = self.ws.call(requests.GetSceneItemId(sceneName=SCENE, sourceName=CARD)).getSceneItemId()

    def settings(self, name: str) -> dict:
        return self.ws.call(requests.GetInputSettings(inputName=name)).getInputSettings()

    def text(self, name: str) -> str:
        return self.settings(name).get("text", "")

    def card_shown(self) -> bool:
        return self.ws.call(requests.GetSceneItemEnabled(sceneName=SCENE, sceneItemId=self.item)).getSceneItemEnabled()

    def program(self) -> str:
        return self.ws.call(requests.GetCurrentProgramScene()).getCurrentProgramSceneName()

    def reset(self) -> None:
        """Nothing on air: card hidden, texts empty, the default scene on program."""
        self.ws.call(requests.SetSceneItemEnabled(sceneName=SCENE, sceneItemId=self.item, sceneItemEnabled=False))
        for name in (QUESTION, ANSWER):
            self.ws.call(requests.SetInputSettings(inputName=name, inputSettings={"text": ""}, overlay=True))
        self.ws.call(requests.SetCurrentProgramScene(sceneName="Scene"))

    def close(self) -> None:
        self.ws.disconnect()


@pytest.fixture
def obs(obs_harness: ObsHarness):
    if obs_harness.obs is None or obs_harness.obs.poll() is not None:
        obs_harness.start()  # an earlier test that killed OBS failed before starting it again
    view = ObsView(obs_harness)
    view.reset()
    yield view
    view.close()


