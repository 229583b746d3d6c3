// quizgen self-check: scores the answers in the page itself. No network, no storage, no HTML built from data.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("quiz-data").textContent);
  var form = document.getElementById("quiz");
  var result = document.getElementById("result");
  var byNumber = Object.create(null);
  data.questions.forEach(function (q) { byNumber[String(q.number)] = q; });

  var submitted = false;
  var selfGrades = Object.create(null); // question number -> points the learner gave themselves

  // Loose comparison: full-width and half-width alike, case and all spaces ignored, outer punctuation dropped.
  var EDGE = /^[\s.,;:!?'"()\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201f]+|[\s.,;:!?'"()\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201f]+$/g;
  function normalize(text) {
    // as quizgen.answers.normalize_answer: width, case, spaces, edge punctuation, and every middle dot as «·»
    return String(text).normalize("NFKC").replace(/[\u30fb\uff65\u2027\u2022\u2219\u22c5\u00b7]/g, "\u00b7")
      .toLowerCase().replace(EDGE, "").replace(/\s+/g, "");
  }

  function fieldsets() {
    return Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  }

  function autoGrade(fs, q) {
    if (q.self) {
      return null; // the learner grades it against the reference answer
    }
    if (q.correct !== undefined) {
      var checked = fs.querySelector("input[type=radio]:checked");
      return checked !== null && checked.value === q.correct;
    }
    var input = fs.querySelector("[data-answer-input]");
    var given = normalize(input ? input.value : "");
    if (given === "") {
      return false;
    }
    return q.answers.some(function (answer) { return normalize(answer) === given; });
  }

  function answered(fs) {
    if (fs.querySelector("input[type=radio]:checked")) {
      return true;
    }
    var input = fs.querySelector("[data-answer-input]");
    return input !== null && input.value.trim() !== "";
  }

  function setVerdict(fs, state, text) {
    fs.classList.remove("is-right", "is-wrong", "is-pending");
    fs.classList.add("is-" + state);
    fs.querySelector(".verdict").textContent = text;
  }

  function grade() {
    var score = 0;
    var pending = 0;
    fieldsets().forEach(function (fs) {
      var q = byNumber[fs.dataset.number];
      var feedback = fs.querySelector(".feedback");
      feedback.hidden = false;
      var ok = autoGrade(fs, q);
      var own = selfGrades[fs.dataset.number];
      if (own !== undefined && (ok === null || ok === false)) {
        score += own;
        setVerdict(fs, own > 0 ? "right" : "wrong", own > 0 ? "✓ 自评：答对（+" + own + " 分）" : "✗ 自评：没答对");
      } else if (ok === null) {
        pending += 1;
        setVerdict(fs, "pending", "请对照参考答案自评");
      } else if (ok) {
        score += q.points;
        setVerdict(fs, "right", "✓ 正确（+" + q.points + " 分）");
      } else {
        setVerdict(fs, "wrong", answered(fs) ? "✗ 错误" : "✗ 未作答");
      }
      if (q.correct !== undefined) {
        fs.querySelectorAll("label.option").forEach(function (label) {
          label.classList.toggle("is-answer", label.dataset.letter === q.correct);
        });
      }
    });
    result.textContent = "得分：" + score + " / " + data.total;
    result.dataset.score = String(score);
    result.dataset.total = String(data.total);
    result.dataset.pending = String(pending);
    if (pending > 0) {
      var note = document.createElement("span");
      note.className = "pending";
      note.textContent = "还有 " + pending + " 题待你对照参考答案自评";
      result.appendChild(note);
    }
    result.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitted = true;
    grade();
    result.scrollIntoView({ block: "center" });
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-grade]");
    if (!button || !submitted) {
      return;
    }
    var fs = button.closest("fieldset.question");
    var q = byNumber[fs.dataset.number];
    selfGrades[fs.dataset.number] = button.dataset.grade === "full" ? q.points : 0;
    fs.querySelectorAll("button[data-grade]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b === button));
    });
    grade();
  });

  form.addEventListener("reset", function () {
    submitted = false;
    selfGrades = Object.create(null);
    fieldsets().forEach(function (fs) {
      fs.classList.remove("is-right", "is-wrong", "is-pending");
      fs.querySelector(".feedback").hidden = true;
      fs.querySelectorAll("label.option").forEach(function (label) { label.classList.remove("is-answer"); });
      fs.querySelectorAll("button[data-grade]").forEach(function (b) { b.removeAttribute("aria-pressed"); });
    });
    result.hidden = true;
    result.textContent = "";
  });
})();
