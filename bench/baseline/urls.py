from rest_framework.routers import DefaultRouter

from bench.baseline import views

router = DefaultRouter()
router.register("articles", views.ArticleViewSet)
router.register("challenges", views.ChallengeViewSet)

urlpatterns = router.urls
