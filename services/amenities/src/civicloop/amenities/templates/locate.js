// Optional: fills the search form with the phone's position. Without it (or without
// permission) the community choice does the same job.
(function () {
  "use strict";
  var form = document.querySelector("form[data-locate]");
  if (!form || !navigator.geolocation) { return; }
  var row = form.querySelector(".locate-row");
  var button = form.querySelector("button.locate");
  row.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.lat.value = position.coords.latitude.toFixed(6);
      form.elements.lng.value = position.coords.longitude.toFixed(6);
      form.elements.crs.value = "wgs84";
      form.elements.community.value = "";
      form.submit();
    }, function () {
      button.disabled = false;
      form.elements.community.focus();
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  });
})();
