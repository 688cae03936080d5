# expect: none
# why: A migrated runbook whose comments (line and block) still describe the old Run As code; comments are never code.
<#
    History
    -------
    2019: signed in with the Run As account:
        $servicePrincipalConnection = Get-AutomationConnection -Name "AzureRunAsConnection"
        Connect-AzAccount -ServicePrincipal -Tenant $servicePrincipalConnection.TenantId `
            -ApplicationId $servicePrincipalConnection.ApplicationId `
            -CertificateThumbprint $servicePrincipalConnection.CertificateThumbprint
        Select-AzSubscription -SubscriptionId $servicePrincipalConnection.SubscriptionID
    2021: Graph part used Select-MgProfile -Name beta and Get-MgProfile.
    2023: moved to the managed identity (Run As retired 30 Sep 2023).
#>

Disable-AzContextAutosave -Scope Process | Out-Null
# Connect-AzAccount -ServicePrincipal -CertificateThumbprint $conn.CertificateThumbprint   (old)
Connect-AzAccount -Identity | Out-Null   # was: Login-AzureRmAccount -ServicePrincipal ...

# while (!($connectionResult) -and ($logonAttempt -le 10)) { ... }  <- removed retry loop
# $token = Invoke-RestMethod -Uri "$($env:IDENTITY_ENDPOINT)?resource=https://graph.microsoft.com" -Headers @{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER }
# Connect-MgGraph -AccessToken (Get-AzAccessToken -ResourceTypeName MSGraph).Token
# Add-AzureAccount / Select-AzureSubscription / AzureClassicRunAsConnection: gone with ASM

$rg = Get-AutomationVariable -Name 'ImageGalleryResourceGroup'
foreach ($gallery in Get-AzGallery -ResourceGroupName $rg) {
    $images = Get-AzGalleryImageDefinition -ResourceGroupName $rg -GalleryName $gallery.Name
    Write-Output "$($gallery.Name): $(@($images).Count) image definition(s)"
}
