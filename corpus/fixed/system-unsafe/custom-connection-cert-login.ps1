# expect: MI101 MI102 MI104
# why: A connection with a non-standard name becomes Run As because its thumbprint and application id feed a certificate login.
Disable-AzContextAutosave -Scope Process | Out-Null

Connect-AzAccount -Identity | Out-Null

# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Set-AzContext -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

$templateUri = Get-AutomationVariable -Name 'BaselineTemplateUri'
$deployment = New-AzSubscriptionDeployment -Name ("baseline-{0:yyyyMMddHHmm}" -f (Get-Date)) `
    -Location 'westeurope' -TemplateUri $templateUri
Write-Output "Deployment $($deployment.DeploymentName): $($deployment.ProvisioningState)"
